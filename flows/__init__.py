"""Conversation flows and the restaurant's domain: intents, replies, tools."""
