"""The street officer's page (/street): the street's communities ranked, each opening its wall."""
