# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Scale benchmarks of the suite (see README.md): a generator loading a chain
into PostgreSQL in SQL (bench.generate) and benchmarks driving the real
server through JSON-RPC (bench.run)."""
