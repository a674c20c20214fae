-- Standard Webhooks signatures: a subscription may carry a signing secret, stored encrypted like its URL.
ALTER TABLE webhook_subscriptions ADD COLUMN signing_secret_encrypted BYTEA;

-- The delivery worker claims per subscription, oldest first, among pending rows only (finished
-- deliveries are kept for days and must not be scanned on every claim).
CREATE INDEX idx_webhook_deliveries_pending_subscription ON webhook_deliveries (subscription_id, created_at)
  WHERE status = 'pending';

-- Dispatched outbox rows are swept by age.
CREATE INDEX idx_event_outbox_dispatched ON event_outbox (dispatched_at) WHERE dispatched_at IS NOT NULL;
