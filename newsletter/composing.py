"""Services of composing: the latest content of an issue's lists, rendering (HTML and text), test sends
(composing helper)."""
