"""The serving process caps glibc's malloc arenas (memory under concurrent requests is measured by
benchmarks/bench.py, not here)."""
import platform

import pytest

from assistant.api.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's arena cap is glibc's")
def test_the_arena_cap_is_taken_by_glibc():
    assert limit_malloc_arenas(2) is True


def test_a_cap_below_one_arena_is_refused():
    with pytest.raises(ValueError):
        limit_malloc_arenas(0)
