def test_agent_reads_own_case_through_api(api, tenant):
    response = api.get(f"/api/v1/cases/{tenant.case.id}")
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "Zending nooit aangekomen"
