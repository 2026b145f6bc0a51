"""Single sign-on with OpenID Connect: one identity provider per organisation (Entra ID, Google
Workspace, any standard provider), agents matched by verified e-mail, optional just-in-time creation,
and password sign-in switched off for the organisation except for one break-glass admin."""
