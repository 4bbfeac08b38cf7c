"""The OpenAPI schema (drf-spectacular): every operation documents the one error shape for its failures."""

from drf_spectacular.openapi import AutoSchema

from .errors import ErrorSerializer

ERRORS = {
    "400": "The input was refused: `fields` says which and why.",
    "401": "No credentials, or a token that is not valid.",
    "403": "The user's role may not do this.",
    "404": "Not found, or not in the user's area (the API never confirms that it exists).",
}
WRITE_ERRORS = {
    "409": "Someone else changed the record first (send the current `version`), or it was already decided.",
    "415": "Send JSON (Content-Type: application/json).",
}


class ApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
