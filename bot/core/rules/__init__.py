"""The deterministic advisor: reading a question (``reading`` into a ``parse.Parse``) and writing
the answer (``facts``, ``ranking``, ``comparison``, ``recommendation``), wired by ``advisor``.

Pure like the rest of the core: everything it knows comes from the knowledge it is handed.
"""

from bot.core.rules.advisor import RulesAdvisor
from bot.core.rules.parse import Intent, NamedFramework, Parse, RankingAsk, Role, StatedNeed

__all__ = ["Intent", "NamedFramework", "Parse", "RankingAsk", "Role", "RulesAdvisor", "StatedNeed"]
