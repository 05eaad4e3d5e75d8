/// How big a composed pattern is: checked once when it is built, so that a program file
/// cannot make one evaluation do unbounded work or recurse without bound.
struct PatternShape: Sendable, Equatable {
    /// Levels of nesting, counting this node (a primitive is 1).
    var depth: Int
    /// Nodes in the tree, counting this one.
    var nodes: Int

    static let primitive = PatternShape(depth: 1, nodes: 1)

    /// The shape of a node over `children`, or the limit it breaks.
    init(children: some Sequence<Pattern>) throws(PatternError) {
        var depth = 0
        var nodes = 1
        for child in children {
            let shape = child.shape
            depth = max(depth, shape.depth)
            nodes += shape.nodes
        }
        depth += 1
        guard depth <= PatternLimits.maximumDepth else {
            throw .tooDeep(depth: depth, maximum: PatternLimits.maximumDepth)
        }
        guard nodes <= PatternLimits.maximumNodes else {
            throw .tooManyNodes(count: nodes, maximum: PatternLimits.maximumNodes)
        }
        self.depth = depth
        self.nodes = nodes
    }

    init(depth: Int, nodes: Int) {
        self.depth = depth
        self.nodes = nodes
    }
}
