"""The customer's side: the web form, sign-in links by e-mail, and the customer page ("Mijn vragen")."""
