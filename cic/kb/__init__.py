"""The knowledge base: articles in Polish (Markdown + YAML front matter), versions, search."""
