// Preloaded into every replica (node --require): a replica ends when the gateway that started it is gone,
// even when the gateway was killed with SIGKILL and could not stop it. The IPC channel to the gateway closes
// with the gateway's process; the replica then gets SIGTERM, so the shell drains as it would on a pod.
if (process.channel) {
  process.channel.unref(); // the channel alone must not keep the function alive
  process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
}
