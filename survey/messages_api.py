"""Interface text of the API tokens page and the API reference, in French and English; merged into
`survey.messages.MESSAGES`.  PURE."""

from __future__ import annotations

API_MESSAGES: dict[str, dict[str, str]] = {
    "api_tokens": {"fr": "Jetons d’API", "en": "API tokens"},
    "api_tokens_intro": {
        "fr": "Un jeton permet à un script ou à un outil d’analyse de lire vos questionnaires, leurs résultats et "
              "vos exports par l’API, avec exactement vos droits et vos missions. Gardez-le secret ; révoquez-le "
              "dès qu’il ne sert plus.",
        "en": "A token lets a script or an analysis tool read your questionnaires, their results and your exports "
              "through the API, with exactly your rights and missions. Keep it secret; revoke it once unused.",
    },
    "api_token_made": {"fr": "Jeton créé. Copiez-le maintenant : il ne sera plus jamais affiché.",
                       "en": "Token made. Copy it now: it will never be shown again."},
    "api_token_copy": {"fr": "Votre nouveau jeton", "en": "Your new token"},
    "api_token_name": {"fr": "Nom du jeton", "en": "Token name"},
    "api_token_name_hint": {"fr": "À quoi il sert, par exemple « tableau de bord ».",
                            "en": "What it is for, e.g. “dashboard”."},
    "api_token_name_error": {"fr": "Donnez au jeton un nom de 1 à {max} caractères.",
                             "en": "Give the token a name of 1 to {max} characters."},
    "api_token_add": {"fr": "Créer un jeton", "en": "Make a token"},
    "api_tokens_yours": {"fr": "Vos jetons", "en": "Your tokens"},
    "api_tokens_none": {"fr": "Vous n’avez aucun jeton.", "en": "You have no token."},
    "api_token_created": {"fr": "Créé le", "en": "Made"},
    "api_token_last_used": {"fr": "Dernière utilisation", "en": "Last used"},
    "api_token_state": {"fr": "État", "en": "Status"},
    "api_token_revoke": {"fr": "Révoquer", "en": "Revoke"},
    "api_token_revoked": {"fr": "Révoqué le {date}", "en": "Revoked on {date}"},
    "api_reference": {"fr": "Documentation de l’API", "en": "API reference"},
    "api_reference_intro": {
        "fr": "Chaque requête porte un jeton personnel : en-tête « Authorization: Bearer <jeton> ». Les erreurs "
              "sont en JSON, avec le statut HTTP et un message.",
        "en": "Every request carries a personal token: header “Authorization: Bearer <token>”. Errors are JSON, "
              "with the HTTP status and a message.",
    },
    "api_reference_json": {"fr": "Schéma OpenAPI (JSON)", "en": "OpenAPI schema (JSON)"},
    "api_operation": {"fr": "Opération", "en": "Operation"},
    "api_what": {"fr": "Ce qu’elle fait", "en": "What it does"},
}
