"""Models: the Transformer Program (relaxed and snapped) and a standard Transformer baseline."""
