package dev.lethe.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Declared routes for Lethe's JSON endpoints on the {@link GuardedHttpServer} (the aggregator's query endpoint, the
 * schema registry): each route is a method and a path pattern such as {@code /subjects/{subject}/versions/{version}};
 * the router decodes the request the same way for every endpoint and hands the matching handler an {@link HttpCall}.
 *
 * <p>Decoding, one rule for all: the raw path is split on {@code /} (empty segments ignored, so a trailing slash does
 * not matter) and each segment is percent-decoded, a {@code +} staying a plus (RFC 3986: {@code %2F} in a segment is
 * a slash inside that segment, not a separator); the query string is {@code application/x-www-form-urlencoded}, so a
 * {@code +} there is a space, and the last of repeated names wins. A path that no route matches goes to the
 * not-found handler, a path some route matches with another method to the method-not-allowed handler.
 *
 * <p>Handlers return the endpoint's own answer type {@code R}; writing it (status, content type, error shape) stays
 * with the endpoint, as Confluent's registry API and the query API answer errors differently.
 */
public final class HttpRouter<R> {

    /** The method of a route that accepts every method. */
    public static final String ANY = "*";

    /** A route's handler. */
    @FunctionalInterface
    public interface Handler<R> {
        R handle(HttpCall call) throws IOException;
    }

    /** One request as the router decoded it. */
    public record HttpCall(HttpExchange exchange, String method, List<String> segments, Map<String, String> pathParams,
                           Map<String, String> query) {

        /** A path parameter of the route, e.g. {@code subject} of {@code /subjects/{subject}}. */
        public String path(String name) {
            String value = pathParams.get(name);
            if (value == null) {
                throw new IllegalArgumentException("the route has no path parameter " + name);
            }
            return value;
        }

        /** A query parameter, or null when absent ({@code ?flag} alone is the empty string). */
        public String query(String name) {
            return query.get(name);
        }

        /** True when the query parameter is {@code true} (any case). */
        public boolean flag(String name) {
            return "true".equalsIgnoreCase(query.get(name));
        }
    }

    private record Route<R>(String method, List<String> pattern, Handler<R> handler) {

        /** The path parameters when {@code segments} match the pattern, else null. */
        Map<String, String> match(List<String> segments) {
            if (segments.size() != pattern.size()) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < pattern.size(); i++) {
                String part = pattern.get(i);
                if (part.startsWith("{") && part.endsWith("}")) {
                    params.put(part.substring(1, part.length() - 1), segments.get(i));
                } else if (!part.equals(segments.get(i))) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route<R>> routes = new ArrayList<>();
    private final Handler<R> notFound;
    private final Handler<R> methodNotAllowed;

    /**
     * @param notFound         answers a path no route matches
     * @param methodNotAllowed answers a path some route matches, with a method none of them takes
     */
    public HttpRouter(Handler<R> notFound, Handler<R> methodNotAllowed) {
        this.notFound = notFound;
        this.methodNotAllowed = methodNotAllowed;
    }

    /** Declares a route; the first declared route that matches method and path wins. */
    public HttpRouter<R> route(String method, String pattern, Handler<R> handler) {
        routes.add(new Route<>(method, List.copyOf(split(pattern, false)), handler));
        return this;
    }

    public HttpRouter<R> get(String pattern, Handler<R> handler) {
        return route("GET", pattern, handler);
    }

    public HttpRouter<R> post(String pattern, Handler<R> handler) {
        return route("POST", pattern, handler);
    }

    public HttpRouter<R> put(String pattern, Handler<R> handler) {
        return route("PUT", pattern, handler);
    }

    public HttpRouter<R> delete(String pattern, Handler<R> handler) {
        return route("DELETE", pattern, handler);
    }

    /** Routes one exchange to its handler and returns the handler's answer. */
    public R dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> segments = segments(exchange.getRequestURI().getRawPath());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        boolean pathKnown = false;
        for (Route<R> route : routes) {
            Map<String, String> params = route.match(segments);
            if (params != null) {
                pathKnown = true;
                if (route.method().equals(ANY) || route.method().equals(method)) {
                    return route.handler().handle(new HttpCall(exchange, method, segments, params, query));
                }
            }
        }
        HttpCall unmatched = new HttpCall(exchange, method, segments, Map.of(), query);
        return pathKnown ? methodNotAllowed.handle(unmatched) : notFound.handle(unmatched);
    }

    /** The decoded segments of a raw path: split on {@code /}, empty ones dropped, percent-decoded, {@code +} kept. */
    public static List<String> segments(String rawPath) {
        return rawPath == null ? List.of() : Collections.unmodifiableList(split(rawPath, true));
    }

    /** The decoded parameters of a raw query string ({@code +} is a space; the last of repeated names wins). */
    public static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private static List<String> split(String path, boolean decode) {
        List<String> segments = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                // URLDecoder would turn '+' into a space: in a path '+' is itself
                segments.add(decode ? URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8) : part);
            }
        }
        return segments;
    }
}
