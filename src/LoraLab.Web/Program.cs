using LoraLab.Web.Apis;
using LoraLab.Web.Components;
using LoraLab.Web.Extensions;
using LoraLab.Web.Hubs;

var builder = WebApplication.CreateBuilder(args);
builder.AddLoraLabServices();

var app = builder.Build();
if (!app.TrySelectComputeDevice()) return 1;
await app.PrepareStudioAsync();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiProblemDetails();
// No HTTPS redirection: the studio serves plain HTTP on the host or behind a TLS-terminating proxy.
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthApi();
app.MapModelsApi();
app.MapDatasetsApi();
app.MapRunsApi();
app.MapAdaptersApi();
app.MapDevicesApi();
app.MapPlaygroundApi();
app.MapTrainingHub();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;
