"""Replica Vietnamese government news portals with ground truth (see build_replica)."""
from portalsim.model import Changes, SimPortal, TruthArticle, TruthCopy
from portalsim.replica import Replica, build_replica
from portalsim.server import ReplicaServer

__all__ = ["build_replica", "Changes", "Replica", "ReplicaServer", "SimPortal", "TruthArticle", "TruthCopy"]
