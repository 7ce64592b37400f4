"""The append-only log's pure core: the RFC 6962 Merkle tree and C2SP signed checkpoints.

Only maths and formats live here; storage (the durable ``Log``) builds on these names.
One import per line and a sorted ``__all__``, so additions merge without conflicts.
"""

from __future__ import annotations

from .merkle import EMPTY_ROOT as EMPTY_ROOT
from .merkle import HASH_SIZE as HASH_SIZE
from .merkle import MAX_LEVEL as MAX_LEVEL
from .merkle import MAX_TREE_SIZE as MAX_TREE_SIZE
from .merkle import Frontier as Frontier
from .merkle import MerkleTree as MerkleTree
from .merkle import Node as Node
from .merkle import NodeLookup as NodeLookup
from .merkle import ProofError as ProofError
from .merkle import Range as Range
from .merkle import consistency_plan as consistency_plan
from .merkle import frontier_nodes as frontier_nodes
from .merkle import hash_range_from as hash_range_from
from .merkle import inclusion_plan as inclusion_plan
from .merkle import leaf_hash as leaf_hash
from .merkle import needed_nodes as needed_nodes
from .merkle import new_nodes as new_nodes
from .merkle import node_from_key as node_from_key
from .merkle import node_hash as node_hash
from .merkle import node_key as node_key
from .merkle import perfect_subtrees as perfect_subtrees
from .merkle import proof_from_nodes as proof_from_nodes
from .merkle import root_from_inclusion_proof as root_from_inclusion_proof
from .merkle import verify_consistency as verify_consistency
from .merkle import verify_inclusion as verify_inclusion
from .note import Checkpoint as Checkpoint
from .note import Note as Note
from .note import NoteError as NoteError
from .note import Signature as Signature
from .note import Signer as Signer
from .note import Verifier as Verifier
from .note import format_checkpoint as format_checkpoint
from .note import generate_signer_key as generate_signer_key
from .note import key_id as key_id
from .note import open_note as open_note
from .note import parse_checkpoint as parse_checkpoint
from .note import sign_note as sign_note
from .note import verifier_key_from_signer_key as verifier_key_from_signer_key
from .note import write_private_key as write_private_key

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_LEVEL",
    "MAX_TREE_SIZE",
    "Checkpoint",
    "Frontier",
    "MerkleTree",
    "Node",
    "NodeLookup",
    "Note",
    "NoteError",
    "ProofError",
    "Range",
    "Signature",
    "Signer",
    "Verifier",
    "consistency_plan",
    "format_checkpoint",
    "frontier_nodes",
    "generate_signer_key",
    "hash_range_from",
    "inclusion_plan",
    "key_id",
    "leaf_hash",
    "needed_nodes",
    "new_nodes",
    "node_from_key",
    "node_hash",
    "node_key",
    "open_note",
    "parse_checkpoint",
    "perfect_subtrees",
    "proof_from_nodes",
    "root_from_inclusion_proof",
    "sign_note",
    "verifier_key_from_signer_key",
    "verify_consistency",
    "verify_inclusion",
    "write_private_key",
]
