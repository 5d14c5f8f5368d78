using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace Singer.WebApi.Tests;

public sealed class EndpointTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private HttpClient Client => service.Client;

    [Fact]
    public async Task Health_describes_the_model_and_the_features_new_items_need()
    {
        var health = await Client.GetFromJsonAsync<HealthResponse>("/health");
        health!.Status.Should().Be("ok");
        health.Model.Should().Be("SINGER");
        health.Users.Should().Be(200);
        health.Items.Should().BeGreaterThanOrEqualTo(120, "other tests may have added items");
        health.Device.Should().Be("cpu");
        health.Modalities.Should().BeEquivalentTo([new ModalityInfo("image", 16), new ModalityInfo("text", 8)]);
    }

    [Fact]
    public async Task Recommendations_are_the_best_unseen_items_in_order()
    {
        var response = await Client.GetFromJsonAsync<RecommendationsResponse>("/users/u00003/recommendations?k=5");
        response!.UserId.Should().Be("u00003");
        response.Items.Should().HaveCount(5);
        response.Items.Select(i => i.Score).Should().BeInDescendingOrder();
        var seen = service.Data.Train.ItemsOf(3).ToArray().Select(i => service.Data.Items[i]);
        response.Items.Select(i => i.ItemId).Should().NotIntersectWith(seen);

        var withSeen = await Client.GetFromJsonAsync<RecommendationsResponse>("/users/u00003/recommendations?k=5&includeSeen=true");
        withSeen!.IncludeSeen.Should().BeTrue();
        withSeen.Items[0].Score.Should().BeGreaterThanOrEqualTo(response.Items[0].Score);

        var defaults = await Client.GetFromJsonAsync<RecommendationsResponse>("/users/u00003/recommendations");
        defaults!.Items.Should().HaveCount(20);
    }

    [Fact]
    public async Task An_unknown_user_is_a_404_problem()
    {
        var response = await Client.GetAsync("/users/nobody/recommendations?k=5");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be(404);
        problem.Title.Should().Be("Unknown user");
        problem.Detail.Should().Contain("'nobody'");
    }

    [Theory]
    [InlineData("/users/u00003/recommendations?k=0")]
    [InlineData("/users/u00003/recommendations?k=-3")]
    [InlineData("/users/u00003/recommendations?k=1001")]
    [InlineData("/items/i00007/similar?k=0")]
    [InlineData("/items/i00007/similar?k=5000")]
    public async Task A_k_out_of_range_is_a_400_problem(string url)
    {
        var response = await Client.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Title.Should().Be("Invalid k");
        problem.Detail.Should().Contain("[1, 1000]");
    }

    [Fact]
    public async Task A_k_that_is_not_a_number_is_a_400()
    {
        var response = await Client.GetAsync("/users/u00003/recommendations?k=ten");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        var malformed = await service.Writer.PostAsync("/items", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Similar_items_exclude_the_item_and_come_best_first()
    {
        var response = await Client.GetFromJsonAsync<SimilarItemsResponse>("/items/i00007/similar?k=4");
        response!.Items.Should().HaveCount(4);
        response.Items.Select(i => i.ItemId).Should().NotContain("i00007");
        response.Items.Select(i => i.Score).Should().BeInDescendingOrder();
        response.Items.Should().OnlyContain(i => i.Score <= 1.0001f && i.Score >= -1.0001f);
    }

    [Fact]
    public async Task An_unknown_item_is_a_404_problem()
    {
        var response = await Client.GetAsync("/items/nothing/similar");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Title.Should().Be("Unknown item");
    }
}
