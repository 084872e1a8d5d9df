"""Herald services; they share only schemas/ and services/runtime/."""
