"""Reminders and change notices: public subscriptions, the outbox, planner, dispatcher and channels."""
