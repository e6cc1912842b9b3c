-- wrk script: POSTs a new payment each time (a fresh orderId, so every request is a real charge and
-- store write, never an idempotent replay). BENCH_TOKEN is a Bearer JWT with payments:write.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local run = os.getenv("BENCH_RUN") or "0"
local counter = 0

request = function()
  counter = counter + 1
  local body = '{"orderId":"bench-' .. run .. '-' .. counter .. '","store":"store042",'
    .. '"amount":{"value":450,"currency":"EUR"},"method":"card","token":"tok_visa"}'
  return wrk.format(nil, nil, nil, body)
end
