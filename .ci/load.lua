-- Mixed read/write load for roster serve (issue 6, point 7), driven by .ci/load.sh.
-- One request in five creates a group with a unique name (answered 201 when it is
-- acknowledged); the rest read the account list, the state and health. Each thread
-- counts its answers by status; `done` prints the totals for the script to check.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("LOAD_TOKEN")
  slug = os.getenv("LOAD_ORG")
  run = os.getenv("LOAD_RUN") or "run"
  -- LOAD_WRITES=0 makes a read-only run (to tell a per-request leak from data growth).
  writes = os.getenv("LOAD_WRITES") ~= "0"
  created, ok, client_err, server_err, other = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. token }
  if counter % 5 == 0 and writes then
    headers["Content-Type"] = "application/json"
    local body = string.format('{"name":"load-%s-%d-%d"}', run, id, counter)
    return wrk.format("POST", "/v1/orgs/" .. slug .. "/groups", headers, body)
  elseif counter % 5 == 0 or counter % 5 == 1 then
    return wrk.format("GET", "/v1/orgs/" .. slug .. "/accounts?limit=50", headers)
  elseif counter % 5 == 2 then
    return wrk.format("GET", "/v1/orgs/" .. slug .. "/state", headers)
  else
    return wrk.format("GET", "/v1/health", headers)
  end
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status >= 500 then
    server_err = server_err + 1
  elseif status >= 400 then
    client_err = client_err + 1
  elseif status >= 200 and status < 300 then
    ok = ok + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t = { created = 0, ok = 0, client_err = 0, server_err = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
  end
  io.write(string.format("LOAD created=%d ok=%d client_err=%d server_err=%d other=%d socket_errors=%d\n",
    t.created, t.ok, t.client_err, t.server_err, t.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
