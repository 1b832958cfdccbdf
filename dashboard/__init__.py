"""The dashboard face: the web page operators use, served by wagraph itself.

It reads everything through the public GraphQL API with a key the person enters, so the
routes here serve only files: the page holds no data until the browser brings a key."""
