"""Why the model could not answer: the reasons the rules engine answers instead."""

from enum import Enum


class FailureReason(Enum):
    """Why the model could not answer; each maps to a one-line note for the user."""

    NO_KEY = "no_key"
    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    UNUSABLE = "unusable"
    CIRCUIT_OPEN = "circuit_open"
    USER_LIMITED = "user_limited"
