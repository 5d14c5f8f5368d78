using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace Singer.WebApi.Tests;

/// <summary>API keys on write endpoints, optional keys on reads, per-client rate limits, fold-in and recorded interactions.</summary>
public sealed class SecurityTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private float[] FeaturesOf(string modality, int item) => service.Data.GetModality(modality).Row(item).ToArray();

    private AddItemsRequest NewItemRequest(string id) => new([new NewItem(id, new Dictionary<string, float[]>
    {
        ["image"] = FeaturesOf("image", 4),
        ["text"] = FeaturesOf("text", 4),
    })]);

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-key-but-long-enough-000000", HttpStatusCode.Unauthorized)]
    [InlineData(ServiceFixture.ReaderKey, HttpStatusCode.Forbidden)]
    public async Task A_write_without_the_write_scope_is_refused_and_changes_nothing(string? key, HttpStatusCode expected)
    {
        using var client = service.Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        int before = (await client.GetFromJsonAsync<HealthResponse>("/health"))!.Items;
        string id = $"intruder-{expected}-{key?.Length ?? 0}";
        var response = await client.PostAsJsonAsync("/items", NewItemRequest(id));
        response.StatusCode.Should().Be(expected);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        if (expected == HttpStatusCode.Unauthorized)
        {
            response.Headers.WwwAuthenticate.ToString().Should().Contain("ApiKey");
        }

        (await client.GetFromJsonAsync<HealthResponse>("/health"))!.Items.Should().Be(before);
        (await client.GetAsync($"/items/{id}/similar")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var record = await client.PostAsJsonAsync("/users/u00002/interactions", new RecordRequest(["i00005"]));
        record.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task The_writer_key_writes_also_in_the_authorization_header()
    {
        using var client = service.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "ApiKey " + ServiceFixture.WriterKey);
        var response = await client.PostAsJsonAsync("/items", NewItemRequest("added-with-authorization-header"));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_client_over_its_limit_gets_429_and_other_clients_are_not_affected()
    {
        using var factory = service.Start(new Dictionary<string, string>
        {
            ["Singer:RateLimit:PermitsPerSecond"] = "1",
            ["Singer:RateLimit:Burst"] = "3",
        });
        using var reader = factory.CreateClient();
        reader.DefaultRequestHeaders.Add("X-Api-Key", ServiceFixture.ReaderKey);
        var codes = new List<HttpStatusCode>();
        for (int n = 0; n < 6; n++)
        {
            codes.Add((await reader.GetAsync("/users/u00003/recommendations?k=3")).StatusCode);
        }

        codes.Should().Contain(HttpStatusCode.OK).And.Contain(HttpStatusCode.TooManyRequests);
        codes.Count(c => c == HttpStatusCode.OK).Should().BeLessThanOrEqualTo(4, "a burst of 3 plus at most one refill in the test's time");
        var limited = await reader.GetAsync("/users/u00003/recommendations?k=3");
        if (limited.StatusCode == HttpStatusCode.TooManyRequests)
        {
            limited.Headers.RetryAfter.Should().NotBeNull();
            (await limited.Content.ReadFromJsonAsync<ProblemDetails>())!.Title.Should().Be("Too many requests");
        }

        // Another key is another client with its own bucket; /health is never limited.
        using var writer = factory.CreateClient();
        writer.DefaultRequestHeaders.Add("X-Api-Key", ServiceFixture.WriterKey);
        (await writer.GetAsync("/users/u00003/recommendations?k=3")).StatusCode.Should().Be(HttpStatusCode.OK);
        for (int n = 0; n < 5; n++)
        {
            (await reader.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Reads_can_require_a_key_by_configuration()
    {
        using var factory = service.Start(new Dictionary<string, string> { ["Singer:ReadsRequireKey"] = "true" });
        using var anonymous = factory.CreateClient();
        (await anonymous.GetAsync("/users/u00003/recommendations?k=3")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.PostAsJsonAsync("/recommendations", new FoldInRequest(["i00001"], 3, null))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetFromJsonAsync<HealthResponse>("/health"))!.ReadsRequireKey.Should().BeTrue();
        using var reader = factory.CreateClient();
        reader.DefaultRequestHeaders.Add("X-Api-Key", ServiceFixture.ReaderKey);
        (await reader.GetAsync("/users/u00003/recommendations?k=3")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void A_short_or_repeated_key_stops_the_service_at_start_up()
    {
        using var factory = service.Start(new Dictionary<string, string> { ["Singer:ApiKeys:1:Key"] = "short" });
        var start = () => factory.CreateClient();
        start.Should().Throw<InvalidOperationException>().WithMessage("*'storefront'*at least 16*");
    }

    [Fact]
    public async Task Fold_in_recommends_for_recent_items_and_recorded_interactions_move_a_users_list()
    {
        var recent = new[] { "i00010", "i00011", "i00012" };
        var response = await service.Client.PostAsJsonAsync("/recommendations", new FoldInRequest(recent, 5, null));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = (await response.Content.ReadFromJsonAsync<FoldInResponse>())!;
        body.Items.Should().HaveCount(5);
        body.Items.Select(i => i.ItemId).Should().NotIntersectWith(recent);
        body.Items.Select(i => i.Score).Should().BeInDescendingOrder();

        var unknown = await service.Client.PostAsJsonAsync("/recommendations", new FoldInRequest(["no-such-item"], 5, null));
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadFromJsonAsync<ProblemDetails>())!.Title.Should().Be("Unknown item");
        var missing = await service.Client.PostAsJsonAsync("/recommendations", new FoldInRequest(null, 5, null));
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var before = (await service.Client.GetFromJsonAsync<RecommendationsResponse>("/users/u00007/recommendations?k=5"))!;
        var record = await service.Writer.PostAsJsonAsync("/users/u00007/interactions", new RecordRequest([before.Items[0].ItemId]));
        record.StatusCode.Should().Be(HttpStatusCode.OK);
        var after = (await service.Client.GetFromJsonAsync<RecommendationsResponse>("/users/u00007/recommendations?k=5"))!;
        after.Items.Select(i => i.ItemId).Should().NotContain(before.Items[0].ItemId);
    }
}
