"""servanda: a verifiable public record of what political actors promised and asserted, and what they did."""

__version__ = "0.1.0"
