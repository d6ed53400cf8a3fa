"""VectorFlow's Python client: the REST API over the standard library, numpy used when present.

    import vectorflow as vf
    client = vf.Client("http://localhost:6333")
    client.create_collection("documents", dimension=384)
    client.upsert("documents", embeddings, payloads=[{"title": t} for t in titles])
    results = client.search(collection="documents", vectors=queries, k=10, timeout=0.1)
"""

from .client import Client
from .errors import VectorFlowError
from .models import Record, ScoredPoint, SearchBatch, SearchResults

__all__ = ["Client", "Record", "ScoredPoint", "SearchBatch", "SearchResults", "VectorFlowError"]
__version__ = "0.1.0"
