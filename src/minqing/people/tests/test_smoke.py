def test_world_builds(world, login):
    client = login(world.grid_worker)
    response = client.get(f"/people/residents/{world.resident1.pk}/")
    assert response.status_code == 200
    assert "139****5678" in response.content.decode()
