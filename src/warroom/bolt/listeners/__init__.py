"""Bolt listeners: parse the request, call one service, render, send."""
