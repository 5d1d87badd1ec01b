/** A subject-pool worker for the fault tests that fails while loading (cannot start). */
throw new Error("this worker cannot start");
