"""`leadscore demo`: the whole product on an embedded HubSpot sandbox, in one command.

The demo composes the layers the way a real deployment does, over real HTTP: a sandbox
portal with a year of generated history and a hidden ground truth, the connector's web
app, the one-click OAuth connection through the real authorize and callback pages,
property provisioning, training, a full sync under HubSpot's rate limits, new leads
scored through signed webhooks, and the evidence (report, summary, dashboard).

It sits beside `connector.cli` at the top of the layer diagram: it may use every layer,
and no layer uses it.
"""
