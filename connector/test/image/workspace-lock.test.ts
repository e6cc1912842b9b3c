import { describeImageWorkspaceLock } from "./describe-workspace-lock.js";

describeImageWorkspaceLock("connector");
