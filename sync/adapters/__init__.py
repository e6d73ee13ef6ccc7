"""How our contract's words map to other systems' (see each adapter's table)."""
