. "$(dirname "$0")/relay_mux.sh"
