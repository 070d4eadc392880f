"""The rules advisor: reads a question into a Parse, then writes the answer that parse calls for."""

from collections.abc import Callable, Sequence

from bot.core.answer import Answer, Turn
from bot.core.knowledge import Knowledge
from bot.core.retrieval import Retriever, build_analyzer
from bot.core.rules.comparison import ComparisonWriter
from bot.core.rules.facts import FactFinder, FactWriter
from bot.core.rules.parse import Intent, Parse
from bot.core.rules.ranking import RankingWriter
from bot.core.rules.reading import QuestionReader
from bot.core.rules.recommendation import RecommendationWriter
from bot.core.text_analysis import Analyzer


class RulesAdvisor:
    """Answers from the knowledge base with fixed, explainable rules."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.analyzer: Analyzer = build_analyzer(knowledge)
        self.reader = QuestionReader(knowledge, self.analyzer)
        self.retriever = Retriever(knowledge, self.reader.v.stopwords)
        finder = FactFinder(knowledge, self.reader.v.stopwords)
        self._writers: dict[Intent, Callable[[Parse], Answer]] = {
            Intent.FACT: FactWriter(knowledge, finder, self.retriever).answer,
            Intent.RANKING: RankingWriter(knowledge, finder).answer,
            Intent.COMPARISON: ComparisonWriter(knowledge, finder).answer,
            Intent.RECOMMENDATION: RecommendationWriter(knowledge).answer,
        }

    def read(self, question: str, history: Sequence[Turn] = ()) -> Parse:
        """The typed parse of a question."""
        return self.reader.read(question, history)

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """The rules' answer to a question, taking earlier user turns into account."""
        return self.compose(self.read(question, history))

    def compose(self, parse: Parse) -> Answer:
        """Write the answer a parse calls for."""
        write = self._writers.get(parse.intent)
        return write(parse) if write else self._fixed(parse.intent)

    def _fixed(self, intent: Intent) -> Answer:
        """The fixed answers: refusals, greeting and help."""
        responses = self.knowledge.responses
        fixed = {
            Intent.INJECTION: Answer(text=responses.refusal.injection, in_scope=False),
            Intent.OUT_OF_SCOPE: Answer(text=responses.refusal.out_of_scope, in_scope=False),
            Intent.GREETING: Answer(text=responses.greeting.text),
            Intent.HELP: Answer(text=responses.help.text),
        }
        return fixed[intent]
