"""Outbound notices: e-mail over SMTP and SMS through a gateway, fed by the outbox."""
