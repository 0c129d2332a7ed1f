"""The hybrid retriever as a langchain `BaseRetriever`, so langchain chains can use the corpus."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from synth.retrieve.base import Retriever


class SynthLangchainRetriever(BaseRetriever):
    """Example:
    >>> lc = SynthLangchainRetriever(retriever=open_retriever(settings), k=5)
    >>> docs = lc.invoke("PagedAttention KV cache")
    >>> docs[0].metadata["doc_id"], docs[0].metadata["page_start"]
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 10

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        inner: Retriever = self.retriever
        return [
            Document(page_content=hit.text, metadata=hit.model_dump(exclude={"text"}), id=hit.chunk_id)
            for hit in inner.retrieve(query, k=self.k)
        ]
