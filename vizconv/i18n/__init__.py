"""Every text in English and Chinese: the catalogue (catalogue/*.toml), the lookup (strings), the teaching notes."""
