"""The public face: web pages, their ``.json`` twins and the JSON API (``servanda serve``)."""
