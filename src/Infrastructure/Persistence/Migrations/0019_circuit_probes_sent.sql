-- How many probes the circuit breaker has sent to an endpoint since its circuit last closed: each
-- doubles the open period. The open period was doubled per failure beyond the threshold, so the
-- failures of requests already in flight when the circuit opened (dozens for an endpoint that
-- refuses connections at once) sent it to Webhooks:CircuitBreaker:MaxOpenFor straight away, and a
-- brief outage kept the endpoint waiting five minutes. Set by the claims that send probes, reset
-- by the first claim that finds the circuit closed and by the release after a successful probe.
alter table webhook_endpoint_pacing add column probes_sent int not null default 0;
