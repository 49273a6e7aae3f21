"""The claims the test provider issues, as a council's directory would: who the person is and
the groups they are in (Django groups in the provider's own database)."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class DirectoryValidator(OAuth2Validator):
    # django-oauth-toolkit issues only the claims a granted scope covers; the groups claim has
    # no standard scope, so it comes with openid, as Entra ID sends it with every ID token.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
