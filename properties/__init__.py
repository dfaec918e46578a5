"""The verifier: checks any dropout implementation against statistical and exact properties."""
