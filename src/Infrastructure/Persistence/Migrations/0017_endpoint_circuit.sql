-- The per-endpoint circuit breaker (docs/webhooks.md, Webhooks:CircuitBreaker). Its state is the
-- endpoint's failure streak (webhook_endpoint_health) and, beside the rate limit's state that
-- every dispatcher shares and locks in its claim: when the last probe of a half-open circuit was
-- sent (the endpoint's other deliveries wait for its answer rather than a probe going per claim),
-- and the open period for which one delivery has been set aside to be the next probe.
alter table webhook_endpoint_pacing add column probe_sent_at timestamptz null, add column probe_candidate_for timestamptz null;

-- Deliveries an open circuit holds back: due far enough ahead to stay out of every claim's way,
-- and made due at once when a probe or a test succeeds. Set and cleared only with next_attempt_at,
-- which is indexed, so it costs no extra HOT chance.
alter table webhook_delivery_queue add column held_by_circuit boolean not null default false;
