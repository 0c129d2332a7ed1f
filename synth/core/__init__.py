"""The bottom layer: plain data models and pure readers that every stage may import (it imports none of them)."""
