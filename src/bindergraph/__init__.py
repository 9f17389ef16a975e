"""bindergraph: the knowledge graph of lithium-battery binders, built from Zhang et al. (2023)."""
__version__ = "0.1.0"
