"""How many examples a property test tries: its full count in CI, a share of it in everyday runs."""

from hypothesis import settings

FULL_STRENGTH = 100  # max_examples of the ci profile (hypothesis's own default)


def examples(full: int) -> int:
    """``full`` under the ci profile; under another, the same share of it as that profile's (10 at least)."""
    return max(10, full * settings().max_examples // FULL_STRENGTH)  # settings(): the loaded profile's
