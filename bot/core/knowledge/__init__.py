"""The knowledge base: prose sections and rule data loaded from ``knowledge/`` and validated.

``schemas`` and ``wording`` define what each file may hold, ``markdown`` splits prose into
sections, ``loading`` reads a directory and cross-checks it, and ``base`` is the result.
"""

from bot.core.answer import FRAMEWORK_IDS
from bot.core.knowledge.base import Knowledge
from bot.core.knowledge.errors import KnowledgeError
from bot.core.knowledge.loading import load_knowledge
from bot.core.knowledge.markdown import parse_sections, unwrap
from bot.core.knowledge.schemas import Combination, Criterion, Fact, Framework, Intents, Need, Section, Topic
from bot.core.knowledge.wording import InputText, Responses, SlackText

__all__ = [
    "FRAMEWORK_IDS",
    "Combination",
    "Criterion",
    "Fact",
    "Framework",
    "InputText",
    "Intents",
    "Knowledge",
    "KnowledgeError",
    "Need",
    "Responses",
    "Section",
    "SlackText",
    "Topic",
    "load_knowledge",
    "parse_sections",
    "unwrap",
]
