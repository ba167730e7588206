-- wrk script of the gateway run (benchmarks/gateway/load.py).
-- Arguments after "--": the token file (lines "s TOKEN", "f TOKEN", "b TOKEN"),
-- where to start in the fresh tokens, and the per-mille shares of fresh and
-- bad tokens.  Each request carries one Bearer token: a bad one, the next
-- fresh one, or a random session's.  done() prints one JSON line.

local sessions, fresh, bad = {}, {}, {}
local next_fresh, fresh_pm, bad_pm = 0, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local kind, token = line:sub(1, 1), "Bearer " .. line:sub(3)
    if kind == "s" then
      sessions[#sessions + 1] = token
    elseif kind == "f" then
      fresh[#fresh + 1] = token
    elseif kind == "b" then
      bad[#bad + 1] = token
    end
  end
  next_fresh = tonumber(args[2]) or 0
  fresh_pm = tonumber(args[3]) or 0
  bad_pm = tonumber(args[4]) or 0
  math.randomseed(next_fresh + 7919)
end

function request()
  local r = math.random(1000)
  local token
  if r <= bad_pm and #bad > 0 then
    token = bad[math.random(#bad)]
  elseif r <= bad_pm + fresh_pm and #fresh > 0 then
    next_fresh = next_fresh % #fresh + 1
    token = fresh[next_fresh]
  else
    token = sessions[math.random(#sessions)]
  end
  return wrk.format("GET", "/", { ["Authorization"] = token })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'GATEWAY_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,' ..
    '"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean))
end
