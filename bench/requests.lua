-- wrk script used by bench/contacts_throughput.py: replays the requests listed in a file, in turn,
-- counts responses whose status is not the expected one, and prints one JSON line at the end.
--
--   wrk -t1 -c32 -d10s -s bench/requests.lua http://127.0.0.1:PORT -- FILE EXPECTED_STATUS
--
-- FILE has one request per line: METHOD <tab> PATH <tab> TOKEN <tab> JSON BODY (may be empty).

local threads = {}
local requests, n, i = {}, 0, 0
local expected = 0
unexpected = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[2])
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^(%u+)\t([^\t]+)\t([^\t]+)\t(.*)$")
    -- a bare token is a Bearer token; "Scheme value" (the peer's "Token …") is sent as it is
    local auth = token:find(" ") and token or ("Bearer " .. token)
    local headers = { ["Authorization"] = auth }
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/json"
    end
    n = n + 1
    requests[n] = wrk.format(method, path, headers, body)
  end
  i = (thread_index * 7919) % n -- each thread starts somewhere else in the list
end

function request()
  i = i % n + 1
  return requests[i]
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, _)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "unexpected_status": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, wrong, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max
  ))
end
