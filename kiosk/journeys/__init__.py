"""Every journey at the machine as an explicit, durable state machine (DESIGN §4.5, §5)."""
