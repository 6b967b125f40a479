"""`make bench`: a throughput and query-count harness for credo (not part of the test suite).

See bench/README.md for what it measures and how to read its numbers.
"""
