# The dashboard, built from source. The front-end assets are bundled inside the build stage (Node from Debian).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY Dashboard.Core/Dashboard.Core.csproj Dashboard.Core/
COPY Dashboard/Dashboard.csproj Dashboard/
RUN dotnet restore Dashboard/Dashboard.csproj
COPY wwwroot-assets/package.json wwwroot-assets/package-lock.json wwwroot-assets/
RUN cd wwwroot-assets && npm ci --no-audit --no-fund
COPY . .
RUN dotnet publish Dashboard/Dashboard.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# History lives on a volume; the image's unprivileged "app" user owns it.
RUN mkdir -p /data && chown app /data
VOLUME /data
ENV ASPNETCORE_URLS=http://+:8080 \
    History__DatabasePath=/data/history.db
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "Dashboard.dll"]
