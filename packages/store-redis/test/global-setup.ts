// Placeholder: starts the throwaway Redis servers for the Redis tests (filled in by store-redis).
export default function setup(): void {}
